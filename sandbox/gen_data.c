/* gen_data.c: the data generator's tables: names in several scripts with their ASCII
 * readings, places with consistent postal codes, time zones and phone plans, organizations. */
#include "sandbox/gen_data.h"

#define N(a, b) {a, b}
#define LEN(a) PS_ARRAY_LEN(a)

static const gen_name english_first[] = {
    N("James", "james"),     N("Mary", "mary"),       N("Robert", "robert"),
    N("Patricia", "patricia"), N("John", "john"),     N("Jennifer", "jennifer"),
    N("Michael", "michael"), N("Linda", "linda"),     N("David", "david"),
    N("Elizabeth", "elizabeth"), N("William", "william"), N("Barbara", "barbara"),
    N("Richard", "richard"), N("Susan", "susan"),     N("Joseph", "joseph"),
    N("Jessica", "jessica"), N("Thomas", "thomas"),   N("Sarah", "sarah"),
    N("Christopher", "christopher"), N("Karen", "karen"), N("Daniel", "daniel"),
    N("Emily", "emily"),     N("Matthew", "matthew"), N("Olivia", "olivia"),
    N("Anthony", "anthony"), N("Ashley", "ashley"),   N("Mark", "mark"),
    N("Hannah", "hannah"),   N("Ryan", "ryan"),       N("Megan", "megan"),
    N("Kevin", "kevin"),     N("Rachel", "rachel"),   N("Brian", "brian"),
    N("Nicole", "nicole"),   N("Jason", "jason"),     N("Grace", "grace"),
    N("Tyler", "tyler"),     N("Madison", "madison"), N("Ethan", "ethan"),
    N("Chloe", "chloe"),
};
static const gen_name english_last[] = {
    N("Smith", "smith"),     N("Johnson", "johnson"), N("Williams", "williams"),
    N("Brown", "brown"),     N("Jones", "jones"),     N("Miller", "miller"),
    N("Davis", "davis"),     N("Wilson", "wilson"),   N("Anderson", "anderson"),
    N("Taylor", "taylor"),   N("Thomas", "thomas"),   N("Moore", "moore"),
    N("Jackson", "jackson"), N("Martin", "martin"),   N("Lee", "lee"),
    N("Thompson", "thompson"), N("White", "white"),   N("Harris", "harris"),
    N("Clark", "clark"),     N("Lewis", "lewis"),     N("Robinson", "robinson"),
    N("Walker", "walker"),   N("Young", "young"),     N("Allen", "allen"),
    N("King", "king"),       N("Wright", "wright"),   N("Scott", "scott"),
    N("Green", "green"),     N("Baker", "baker"),     N("Adams", "adams"),
    N("Nelson", "nelson"),   N("Hill", "hill"),       N("Campbell", "campbell"),
    N("Mitchell", "mitchell"), N("O'Brien", "obrien"), N("McCarthy", "mccarthy"),
    N("Murphy", "murphy"),   N("Kelly", "kelly"),     N("Sullivan", "sullivan"),
    N("Price", "price"),
};

/* Latin script with diacritics: Spanish, Portuguese, French, German, Nordic, Polish, Czech,
 * Turkish, Vietnamese. */
static const gen_name latin_first[] = {
    N("José", "jose"),       N("María", "maria"),     N("João", "joao"),
    N("Sofía", "sofia"),     N("Martín", "martin"),   N("Lucía", "lucia"),
    N("Zoë", "zoe"),         N("Chloé", "chloe"),     N("Hélène", "helene"),
    N("François", "francois"), N("Léa", "lea"),       N("Noël", "noel"),
    N("Jürgen", "juergen"),  N("Jörg", "joerg"),      N("Björn", "bjorn"),
    N("Ólafur", "olafur"),   N("Søren", "soren"),     N("Åsa", "asa"),
    N("Łukasz", "lukasz"),   N("Małgorzata", "malgorzata"), N("Tomáš", "tomas"),
    N("Zdeněk", "zdenek"),   N("Şükrü", "sukru"),     N("Çağla", "cagla"),
    N("Inés", "ines"),       N("Raúl", "raul"),       N("Andrés", "andres"),
    N("Renée", "renee"),     N("Thạnh", "thanh"),     N("Siobhán", "siobhan"),
    N("Gonçalo", "goncalo"), N("Maëlle", "maelle"),
};
static const gen_name latin_last[] = {
    N("García", "garcia"),   N("Martínez", "martinez"), N("González", "gonzalez"),
    N("Rodríguez", "rodriguez"), N("Pérez", "perez"), N("Sánchez", "sanchez"),
    N("Muñoz", "munoz"),     N("Gómez", "gomez"),     N("Conceição", "conceicao"),
    N("Simões", "simoes"),   N("Lefèvre", "lefevre"), N("Bérénger", "berenger"),
    N("Müller", "mueller"),  N("Schäfer", "schaefer"), N("Groß", "gross"),
    N("Köhler", "koehler"),  N("Jónsdóttir", "jonsdottir"), N("Sigurðsson", "sigurdsson"),
    N("Østergaard", "ostergaard"), N("Åberg", "aberg"), N("Wójcik", "wojcik"),
    N("Dąbrowski", "dabrowski"), N("Dvořák", "dvorak"), N("Novotná", "novotna"),
    N("Çelik", "celik"),     N("Yılmaz", "yilmaz"),   N("Nguyễn", "nguyen"),
    N("Trần", "tran"),       N("Ó Briain", "obriain"), N("Núñez", "nunez"),
};

static const gen_name cyrillic_first[] = {
    N("Дмитрий", "dmitry"),  N("Алексей", "alexey"),  N("Сергей", "sergey"),
    N("Андрей", "andrey"),   N("Иван", "ivan"),       N("Михаил", "mikhail"),
    N("Николай", "nikolay"), N("Владимир", "vladimir"), N("Юрий", "yuri"),
    N("Олег", "oleg"),       N("Анна", "anna"),       N("Мария", "maria"),
    N("Елена", "elena"),     N("Ольга", "olga"),      N("Наталья", "natalya"),
    N("Татьяна", "tatyana"), N("Екатерина", "ekaterina"), N("Светлана", "svetlana"),
    N("Ирина", "irina"),     N("Юлия", "yulia"),      N("Богдан", "bohdan"),
    N("Оксана", "oksana"),   N("Любовь", "lyubov"),   N("Фёдор", "fyodor"),
};
static const gen_name cyrillic_last[] = {
    N("Иванов", "ivanov"),   N("Смирнов", "smirnov"), N("Кузнецов", "kuznetsov"),
    N("Попов", "popov"),     N("Соколов", "sokolov"), N("Лебедев", "lebedev"),
    N("Козлов", "kozlov"),   N("Новиков", "novikov"), N("Морозов", "morozov"),
    N("Петров", "petrov"),   N("Волков", "volkov"),   N("Соловьёв", "solovyov"),
    N("Васильев", "vasiliev"), N("Зайцев", "zaitsev"), N("Павлов", "pavlov"),
    N("Семёнов", "semenov"), N("Голубев", "golubev"), N("Виноградов", "vinogradov"),
    N("Шевченко", "shevchenko"), N("Коваленко", "kovalenko"), N("Бондаренко", "bondarenko"),
    N("Ткаченко", "tkachenko"),
};

static const gen_name greek_first[] = {
    N("Γιώργος", "giorgos"), N("Δημήτρης", "dimitris"), N("Κωνσταντίνος", "konstantinos"),
    N("Νίκος", "nikos"),     N("Γιάννης", "giannis"), N("Παναγιώτης", "panagiotis"),
    N("Χρήστος", "christos"), N("Βασίλης", "vasilis"), N("Αθανάσιος", "athanasios"),
    N("Μιχάλης", "michalis"), N("Μαρία", "maria"),    N("Ελένη", "eleni"),
    N("Αικατερίνη", "aikaterini"), N("Βασιλική", "vasiliki"), N("Σοφία", "sofia"),
    N("Αγγελική", "angeliki"), N("Δέσποινα", "despoina"), N("Ειρήνη", "eirini"),
    N("Χριστίνα", "christina"), N("Φωτεινή", "foteini"),
};
static const gen_name greek_last[] = {
    N("Παπαδόπουλος", "papadopoulos"), N("Βλάχος", "vlachos"), N("Αγγελόπουλος", "angelopoulos"),
    N("Νικολάου", "nikolaou"), N("Γεωργίου", "georgiou"), N("Πετρίδης", "petridis"),
    N("Οικονόμου", "oikonomou"), N("Δημητρίου", "dimitriou"), N("Μακρής", "makris"),
    N("Αλεξίου", "alexiou"), N("Κωνσταντίνου", "konstantinou"), N("Παππάς", "pappas"),
    N("Καραγιάννης", "karagiannis"), N("Ιωάννου", "ioannou"), N("Χατζής", "chatzis"),
    N("Σταματόπουλος", "stamatopoulos"), N("Μαυρίδης", "mavridis"), N("Λαμπράκης", "lamprakis"),
};

/* Chinese, Japanese and Korean: given names first, family names last. */
static const gen_name cjk_first[] = {
    N("伟", "wei"),          N("芳", "fang"),         N("静", "jing"),
    N("强", "qiang"),        N("敏", "min"),          N("磊", "lei"),
    N("洋", "yang"),         N("艳", "yan"),          N("俊杰", "junjie"),
    N("秀英", "xiuying"),    N("子涵", "zihan"),      N("浩然", "haoran"),
    N("陽翔", "haruto"),     N("蓮", "ren"),          N("結衣", "yui"),
    N("さくら", "sakura"),   N("大翔", "hiroto"),     N("美咲", "misaki"),
    N("健太", "kenta"),      N("陽菜", "hina"),       N("민준", "minjun"),
    N("서연", "seoyeon"),    N("지호", "jiho"),       N("지민", "jimin"),
    N("하은", "haeun"),      N("도윤", "doyun"),
};
static const gen_name cjk_last[] = {
    N("王", "wang"),         N("李", "li"),           N("张", "zhang"),
    N("刘", "liu"),          N("陈", "chen"),         N("杨", "yang"),
    N("黄", "huang"),        N("赵", "zhao"),         N("周", "zhou"),
    N("吴", "wu"),           N("佐藤", "sato"),       N("鈴木", "suzuki"),
    N("高橋", "takahashi"),  N("田中", "tanaka"),     N("渡辺", "watanabe"),
    N("伊藤", "ito"),        N("山本", "yamamoto"),   N("中村", "nakamura"),
    N("김", "kim"),          N("이", "lee"),          N("박", "park"),
    N("최", "choi"),         N("정", "jung"),         N("강", "kang"),
};

static const gen_name arabic_first[] = {
    N("محمد", "mohammed"),   N("أحمد", "ahmed"),      N("علي", "ali"),
    N("عمر", "omar"),        N("يوسف", "youssef"),    N("خالد", "khaled"),
    N("حسن", "hassan"),      N("إبراهيم", "ibrahim"), N("مصطفى", "mustafa"),
    N("طارق", "tarek"),      N("فاطمة", "fatima"),    N("عائشة", "aisha"),
    N("مريم", "maryam"),     N("نور", "nour"),        N("ليلى", "layla"),
    N("سارة", "sara"),       N("زينب", "zainab"),     N("هدى", "huda"),
    N("رانيا", "rania"),     N("ياسمين", "yasmin"),
};
static const gen_name arabic_last[] = {
    N("الحسيني", "alhusseini"), N("المصري", "almasri"), N("العلي", "alali"),
    N("حداد", "haddad"),     N("خوري", "khoury"),     N("نصار", "nassar"),
    N("منصور", "mansour"),   N("سليمان", "suleiman"), N("عبدالله", "abdullah"),
    N("الشامي", "alshami"),  N("يونس", "younes"),     N("قاسم", "qasim"),
    N("الزهراني", "alzahrani"), N("بكر", "bakr"),     N("عثمان", "othman"),
    N("جابر", "jaber"),      N("صالح", "saleh"),      N("الفاسي", "alfassi"),
};

static const gen_name devanagari_first[] = {
    N("आरव", "aarav"),       N("विवान", "vivaan"),    N("अर्जुन", "arjun"),
    N("रोहन", "rohan"),      N("राहुल", "rahul"),     N("अमित", "amit"),
    N("विक्रम", "vikram"),   N("सुरेश", "suresh"),    N("अनिल", "anil"),
    N("संजय", "sanjay"),     N("प्रिया", "priya"),    N("अनन्या", "ananya"),
    N("दिव्या", "divya"),    N("नेहा", "neha"),       N("पूजा", "pooja"),
    N("सुनीता", "sunita"),   N("कविता", "kavita"),    N("अदिति", "aditi"),
    N("ईशा", "isha"),        N("मीरा", "meera"),
};
static const gen_name devanagari_last[] = {
    N("शर्मा", "sharma"),    N("वर्मा", "verma"),     N("गुप्ता", "gupta"),
    N("सिंह", "singh"),      N("कुमार", "kumar"),     N("पटेल", "patel"),
    N("जोशी", "joshi"),      N("मेहता", "mehta"),     N("अग्रवाल", "agarwal"),
    N("चौधरी", "chaudhary"), N("मिश्रा", "mishra"),   N("पांडे", "pandey"),
    N("यादव", "yadav"),      N("देसाई", "desai"),     N("कपूर", "kapoor"),
    N("श्रीवास्तव", "srivastava"), N("त्रिपाठी", "tripathi"), N("नायर", "nair"),
};

#define CULTURE(label, f, l, w, cased) {label, f, LEN(f), l, LEN(l), w, cased}
const gen_culture gen_cultures[] = {
    CULTURE("english", english_first, english_last, 45, true),
    CULTURE("latin", latin_first, latin_last, 22, true),
    CULTURE("cyrillic", cyrillic_first, cyrillic_last, 7, true),
    CULTURE("greek", greek_first, greek_last, 5, true),
    CULTURE("cjk", cjk_first, cjk_last, 9, false),
    CULTURE("arabic", arabic_first, arabic_last, 6, false),
    CULTURE("devanagari", devanagari_first, devanagari_last, 6, false),
};
const size_t gen_n_cultures = LEN(gen_cultures);

const gen_place gen_places[] = {
    {"San Francisco", "CA", "941##", "US", "America/Los_Angeles", "1", "415" "N######",
     {"Market St", "Valencia St", "Mission St", "Geary Blvd"}, true, 8},
    {"New York", "NY", "100##", "US", "America/New_York", "1", "212" "N######",
     {"Broadway", "W 34th St", "Lexington Ave", "Houston St"}, true, 9},
    {"Brooklyn", "NY", "112##", "US", "America/New_York", "1", "718" "N######",
     {"Atlantic Ave", "Bedford Ave", "Flatbush Ave", "Court St"}, true, 4},
    {"Chicago", "IL", "606##", "US", "America/Chicago", "1", "312" "N######",
     {"N Michigan Ave", "W Madison St", "N Clark St", "S State St"}, true, 6},
    {"Austin", "TX", "787##", "US", "America/Chicago", "1", "512" "N######",
     {"Congress Ave", "E 6th St", "S Lamar Blvd", "Guadalupe St"}, true, 5},
    {"Houston", "TX", "770##", "US", "America/Chicago", "1", "713" "N######",
     {"Westheimer Rd", "Main St", "Kirby Dr", "Richmond Ave"}, true, 4},
    {"Seattle", "WA", "981##", "US", "America/Los_Angeles", "1", "206" "N######",
     {"Pike St", "Pine St", "1st Ave", "Rainier Ave S"}, true, 5},
    {"Denver", "CO", "802##", "US", "America/Denver", "1", "303" "N######",
     {"Colfax Ave", "Larimer St", "S Broadway", "Blake St"}, true, 4},
    {"Boston", "MA", "021##", "US", "America/New_York", "1", "617" "N######",
     {"Boylston St", "Newbury St", "Tremont St", "Commonwealth Ave"}, true, 5},
    {"Miami", "FL", "331##", "US", "America/New_York", "1", "305" "N######",
     {"Collins Ave", "Brickell Ave", "SW 8th St", "Biscayne Blvd"}, true, 4},
    {"Atlanta", "GA", "303##", "US", "America/New_York", "1", "404" "N######",
     {"Peachtree St NE", "Ponce de Leon Ave", "Edgewood Ave", "Marietta St"}, true, 4},
    {"Phoenix", "AZ", "850##", "US", "America/Phoenix", "1", "602" "N######",
     {"E Camelback Rd", "N Central Ave", "W Thomas Rd", "E Van Buren St"}, true, 3},
    {"Portland", "OR", "972##", "US", "America/Los_Angeles", "1", "503" "N######",
     {"NW 23rd Ave", "SE Hawthorne Blvd", "N Mississippi Ave", "SW Broadway"}, true, 3},
    {"Minneapolis", "MN", "554##", "US", "America/Chicago", "1", "612" "N######",
     {"Nicollet Mall", "Hennepin Ave", "Lake St", "University Ave"}, true, 3},
    {"Anchorage", "AK", "995##", "US", "America/Anchorage", "1", "907" "N######",
     {"W 4th Ave", "C St", "Northern Lights Blvd", "Spenard Rd"}, true, 1},
    {"Honolulu", "HI", "968##", "US", "Pacific/Honolulu", "1", "808" "N######",
     {"Kalakaua Ave", "Kapiolani Blvd", "S King St", "Ala Moana Blvd"}, true, 1},
    {"Toronto", "ON", "M5V #@#", "CA", "America/Toronto", "1", "416" "N######",
     {"Queen St W", "King St W", "Yonge St", "Spadina Ave"}, true, 5},
    {"Vancouver", "BC", "V6B #@#", "CA", "America/Vancouver", "1", "604" "N######",
     {"Granville St", "Robson St", "W Hastings St", "Main St"}, true, 3},
    {"Montréal", "QC", "H2X #@#", "CA", "America/Toronto", "1", "514" "N######",
     {"Rue Sainte-Catherine O", "Boulevard Saint-Laurent", "Rue Sherbrooke E", "Avenue du Mont-Royal E"},
     true, 3},
    {"London", "England", "SW1A #@@", "GB", "Europe/London", "44", "7###" "######",
     {"High Street", "Baker Street", "Camden Road", "Upper Street"}, true, 5},
    {"Manchester", "England", "M1 #@@", "GB", "Europe/London", "44", "7###" "######",
     {"Deansgate", "Oxford Road", "Market Street", "Portland Street"}, true, 2},
    {"Berlin", "Berlin", "10###", "DE", "Europe/Berlin", "49", "15#" "########",
     {"Friedrichstraße", "Kastanienallee", "Torstraße", "Karl-Marx-Allee"}, false, 3},
    {"München", "Bayern", "80###", "DE", "Europe/Berlin", "49", "17#" "########",
     {"Leopoldstraße", "Maximilianstraße", "Sendlinger Straße", "Schellingstraße"}, false, 2},
    {"Sydney", "NSW", "20##", "AU", "Australia/Sydney", "61", "4##" "######",
     {"George St", "Pitt St", "Oxford St", "King St"}, true, 3},
    {"Melbourne", "VIC", "30##", "AU", "Australia/Melbourne", "61", "4##" "######",
     {"Collins St", "Flinders St", "Lygon St", "Brunswick St"}, true, 2},
    {"Paris", "Île-de-France", "7500#", "FR", "Europe/Paris", "33", "6########",
     {"Rue de Rivoli", "Boulevard Saint-Germain", "Rue Oberkampf", "Avenue de la République"},
     true, 3},
    {"Lyon", "Auvergne-Rhône-Alpes", "6900#", "FR", "Europe/Paris", "33", "7########",
     {"Rue de la République", "Cours Lafayette", "Rue Mercière", "Quai Saint-Antoine"}, true, 1},
};
const size_t gen_n_places = LEN(gen_places);

const char *const gen_organizations[] = {
    "Acme Robotics",        "Blue Harbor Consulting", "Northwind Traders",
    "Summit Health Group",  "Cedar & Pine Studio",    "Brightline Analytics",
    "Redwood Legal LLP",    "Harborview Dental",      "Atlas Logistics",
    "Quantum Leaf Labs",    "Silver Birch Events",    "Meridian Capital",
    "Orchard Street Bakery", "Polaris Software",      "Granite Peak Realty",
    "Lumen Design Co.",     "Riverside Community College", "Helix Biotech",
    "Copperline Media",     "Evergreen Nonprofit Alliance", "Nordlicht GmbH",
    "Maison Lumière SARL",  "Southern Cross Pty Ltd", "Thames Valley Partners",
};
const size_t gen_n_organizations = LEN(gen_organizations);

const char *const gen_titles[] = {
    "Marketing Manager",   "Software Engineer",      "Event Coordinator",
    "Chief Executive Officer", "Sales Director",     "Operations Lead",
    "Product Manager",     "Account Executive",      "Head of Partnerships",
    "Office Manager",      "Community Manager",      "Data Analyst",
    "Founder",             "Registrar",              "Head of People",
    "Consultant",          "Professor",              "Nurse Practitioner",
};
const size_t gen_n_titles = LEN(gen_titles);

const char *const gen_handles[] = {
    "bluefalcon", "quietriver", "sunnyfox",   "nightowl",  "pixelpilot", "coffeecat",
    "stormchaser", "redkite",   "lazybear",   "moonwalker", "tinyrocket", "oldmaple",
    "wildfern",   "silverfin",  "happyotter", "greenbean",
};
const size_t gen_n_handles = LEN(gen_handles);

const char *const gen_mail_domains[] = {
    "example.com", "example.net", "example.org", "mail.example.com", "inbox.example.net",
    "post.example.org",
};
const size_t gen_n_mail_domains = LEN(gen_mail_domains);
